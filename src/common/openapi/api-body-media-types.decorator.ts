import { ApiExtension, type MediaTypeObject, type OperationObject } from '@nestjs/swagger';

const EXTENSION = 'x-request-body-media-types';

/**
 * Adds media types, each with its own schema, to a route's request body beside the one `@ApiBody`
 * documents (swagger's decorators give every consumed type the same schema). `buildApiDocument`
 * moves them into `requestBody.content`.
 */
export const ApiBodyMediaTypes = (content: Record<string, MediaTypeObject>) => ApiExtension(EXTENSION, content);

export function applyBodyMediaTypes(operation: OperationObject): void {
  const extended = operation as OperationObject & { [EXTENSION]?: Record<string, MediaTypeObject> };
  const content = extended[EXTENSION];
  if (!content) return;
  delete extended[EXTENSION];
  if (!operation.requestBody || !('content' in operation.requestBody)) {
    throw new Error(`${operation.operationId ?? 'an operation'}: @ApiBodyMediaTypes needs an @ApiBody beside it`);
  }
  Object.assign(operation.requestBody.content, content);
}
