// Query sizes shared by the run pages' server prefetch and their client queries (the
// cache keys must match for the prefetched data to be used).
export const RUNS_PAGE_SIZE = 25;
export const EVENTS_LIMIT = 1000;
