/** Members per page of the users table (the server page prefetches the first page). */
export const USERS_PAGE_SIZE = 25;
