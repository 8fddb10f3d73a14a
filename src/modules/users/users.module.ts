import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminBootstrap } from './admin-bootstrap.js';
import { UserEntity } from './entities/user.entity.js';
import { PasswordHasher } from './password-hasher.js';
import { UserSearchIndexer } from './search/user-search.consumer.js';
import { UserSearchSource } from './search/user-search.source.js';
import { SearchModule } from '../search/search.module.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), SearchModule],
  controllers: [UsersController],
  providers: [
    { provide: PasswordHasher, useFactory: () => new PasswordHasher() },
    UsersRepository,
    UsersService,
    AdminBootstrap,
    UserSearchIndexer,
    UserSearchSource,
  ],
  exports: [UsersService],
})
export class UsersModule {}
