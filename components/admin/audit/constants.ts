/** Entries per "Load more" page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;
