/** How many past audit entries the dashboard's live panel starts with (prefetched on the server). */
export const LIVE_ACTIVITY_HISTORY = 20;
