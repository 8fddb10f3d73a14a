import { ApiProperty } from '@nestjs/swagger';

export class FrameworkView {
  @ApiProperty({ example: 'GDPR', description: 'The code records and filters use' })
  code: string;

  @ApiProperty({ example: 'General Data Protection Regulation' })
  name: string;
}
