export { describePrincipal, changePassword, signOutEverywhere } from "./service.ts";
export { accountRouter } from "./router.ts";
