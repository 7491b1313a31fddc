// Prisma's error codes that services turn into domain errors.

/** A unique constraint refused the write (Prisma P2002): the name, slug or key is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
