import "next-auth/jwt";

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    sid?: string;
    memberships?: { teamId: string; teamSlug: string; role: string }[];
  }
}
