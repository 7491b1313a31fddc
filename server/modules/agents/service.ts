// A team's agents: the four built-ins (shown without rows, replaced by a row of the same
// slug) and the team's own. Every change writes an audit row.
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import type { Agent } from "../../db/generated/client.ts";
import { agentFromRow, BUILTIN_AGENTS, findBuiltinAgent, isBuiltinSlug, type AgentConfig } from "../../engine/agents/index.ts";
import { ConflictError, NotFoundError } from "../../errors.ts";
import type { AgentCreateInput, AgentDto, AgentTargetInput, AgentUpdateInput } from "../../shared/agents.ts";
import { nanoToUsd, usdToNano } from "../../shared/budgets.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";

function toDto(agent: AgentConfig, row: Agent | null): AgentDto {
  const builtIn = isBuiltinSlug(agent.slug);
  return {
    id: row?.id ?? null,
    slug: agent.slug,
    name: agent.name,
    role: agent.role,
    instructions: agent.instructions,
    model: agent.model,
    strategy: agent.strategy,
    tools: [...agent.tools],
    maxTurns: agent.maxTurns,
    maxCostUsd: agent.maxCostNano === null ? null : nanoToUsd(agent.maxCostNano),
    builtIn,
    overridden: builtIn && row !== null,
    createdAt: row?.createdAt.toISOString() ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

const rowDto = (row: Agent) => toDto(agentFromRow(row), row);

/** What the audit log keeps of an agent: its configuration. */
function auditView(dto: AgentDto) {
  const { id: _id, createdAt: _c, updatedAt: _u, overridden: _o, ...rest } = dto;
  return rest;
}

const findRow = (db: Db, teamId: string, slug: string) => db.agent.findUnique({ where: { teamId_slug: { teamId, slug } } });

/** The built-ins first (as the team has them), then the team's own agents by name. */
export async function listAgents(db: Db, teamId: string): Promise<AgentDto[]> {
  const rows = await db.agent.findMany({ where: { teamId }, orderBy: [{ name: "asc" }, { slug: "asc" }] });
  const bySlug = new Map(rows.map((row) => [row.slug, row]));
  const builtIns = BUILTIN_AGENTS.map((agent) => {
    const row = bySlug.get(agent.slug);
    return row ? rowDto(row) : toDto(agent, null);
  });
  return [...builtIns, ...rows.filter((row) => !isBuiltinSlug(row.slug)).map(rowDto)];
}

export async function getAgent(db: Db, input: AgentTargetInput): Promise<AgentDto> {
  const row = await findRow(db, input.teamId, input.slug);
  if (row) return rowDto(row);
  const builtIn = findBuiltinAgent(input.slug);
  if (!builtIn) throw new NotFoundError(`Agent "${input.slug}"`);
  return toDto(builtIn, null);
}

function rowData(fields: Omit<AgentCreateInput, "teamId" | "slug">) {
  return {
    name: fields.name,
    role: fields.role,
    instructions: fields.instructions,
    model: fields.model || null,
    strategy: fields.strategy,
    tools: [...new Set(fields.tools)],
    maxTurns: fields.maxTurns,
    maxCostNano: fields.maxCostUsd === null ? null : BigInt(usdToNano(fields.maxCostUsd)),
  };
}

const taken = (slug: string) =>
  new ConflictError(isBuiltinSlug(slug) ? `The built-in agent "${slug}" has already been changed in this team; edit it instead.` : `This team already has an agent "${slug}".`);

/** Creates an agent; a built-in's slug creates the team's version of that built-in. */
export async function createAgent(db: Db, actor: AuditActor, input: AgentCreateInput): Promise<AgentDto> {
  const { teamId, slug, ...fields } = input;
  let row: Agent;
  try {
    row = await db.agent.create({ data: { teamId, slug, ...rowData(fields) } });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(slug);
    throw error;
  }
  const dto = rowDto(row);
  await recordAudit(db, actor, { action: "agent.create", teamId, targetType: "agent", targetId: row.id, after: auditView(dto) });
  return dto;
}

/** Changes an agent; changing a built-in the team has not changed yet starts from its defaults. */
export async function updateAgent(db: Db, actor: AuditActor, input: AgentUpdateInput): Promise<AgentDto> {
  const { teamId, slug, ...changes } = input;
  const before = await getAgent(db, { teamId, slug });
  // undefined keeps a field; null clears the nullable ones (model, strategy, cost limit).
  const data = rowData({
    name: changes.name ?? before.name,
    role: changes.role ?? before.role,
    instructions: changes.instructions ?? before.instructions,
    model: changes.model !== undefined ? changes.model : before.model,
    strategy: changes.strategy !== undefined ? changes.strategy : before.strategy,
    tools: changes.tools ?? before.tools,
    maxTurns: changes.maxTurns ?? before.maxTurns,
    maxCostUsd: changes.maxCostUsd !== undefined ? changes.maxCostUsd : before.maxCostUsd,
  });
  let row: Agent;
  try {
    row = before.id === null ? await db.agent.create({ data: { teamId, slug, ...data } }) : await db.agent.update({ where: { id: before.id }, data });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(slug);
    throw error;
  }
  const after = rowDto(row);
  await recordAudit(db, actor, { action: "agent.update", teamId, targetType: "agent", targetId: row.id, before: auditView(before), after: auditView(after) });
  return after;
}

/** Removes the team's agent; for a built-in that brings its defaults back (returned). */
export async function removeAgent(db: Db, actor: AuditActor, input: AgentTargetInput): Promise<AgentDto | null> {
  const row = await findRow(db, input.teamId, input.slug);
  if (!row) {
    if (isBuiltinSlug(input.slug)) throw new ConflictError(`The built-in agent "${input.slug}" has no changes to remove; it cannot be deleted.`);
    throw new NotFoundError(`Agent "${input.slug}"`);
  }
  await db.agent.delete({ where: { id: row.id } });
  await recordAudit(db, actor, { action: "agent.remove", teamId: input.teamId, targetType: "agent", targetId: row.id, before: auditView(rowDto(row)) });
  const builtIn = findBuiltinAgent(input.slug);
  return builtIn ? toDto(builtIn, null) : null;
}
