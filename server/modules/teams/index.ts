export { listTeams, createTeam, renameTeam } from "./service.ts";
export { teamsRouter } from "./router.ts";
