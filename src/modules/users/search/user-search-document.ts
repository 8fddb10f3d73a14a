import type { SearchDocument } from '../../../infrastructure/search/search-document.js';
import { userDocument } from '../../../infrastructure/search/search-documents.js';
import type { UserSnapshot } from '../user-events.js';

/** A user as the search index sees it: role, status and creation time, never anything encrypted. */
export function userSearchDocument(user: UserSnapshot): SearchDocument {
  return userDocument({
    id: user.id,
    version: user.version,
    role: user.role,
    status: user.status,
    createdAt: new Date(user.createdAt),
  });
}
