export { listMembers, createMember, setRole, removeMember, setActive, resetPassword, replacePassword } from "./service.ts";
export type { AccountAdminActor } from "./service.ts";
export { usersRouter } from "./router.ts";
