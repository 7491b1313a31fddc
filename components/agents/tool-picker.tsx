"use client";
// Which tools an agent may call: the built-ins, and the tools of the team's MCP servers
// (each one, or all of a server's with "server.*"). Chosen names that no longer match a
// known tool stay listed so they can be removed.
import { useQueries, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { BUILTIN_TOOLS } from "./builtin-tools";
import styles from "./agents.module.css";

interface Option {
  name: string;
  description: string;
}

function ToolGroup({ title, options, chosen, onToggle, note }: { title: string; options: Option[]; chosen: ReadonlySet<string>; onToggle: (name: string) => void; note?: string }) {
  return (
    <div className={styles.toolGroup} role="group" aria-label={title}>
      <div className={styles.toolGroupTitle}>
        {title}
        {note && <span className="faint"> · {note}</span>}
      </div>
      {options.map((option) => (
        <label key={option.name} className={styles.toolOption}>
          <input type="checkbox" checked={chosen.has(option.name)} onChange={() => onToggle(option.name)} />
          <code>{option.name}</code>
          {option.description && <span className={styles.toolDescription}>{option.description}</span>}
        </label>
      ))}
    </div>
  );
}

export function ToolPicker({ value, onChange, error }: { value: string[]; onChange: (tools: string[]) => void; error?: string }) {
  const trpc = useTRPC();
  const team = useTeam();
  const canReadTools = useCan("tools:read");
  const servers = useQuery({ ...trpc.mcp.list.queryOptions({ teamId: team.id }), enabled: canReadTools });
  const serverList = servers.data ?? [];
  const toolLists = useQueries({
    queries: serverList.map((server) => trpc.mcp.tools.queryOptions({ teamId: team.id, serverId: server.id })),
  });

  const chosen = new Set(value);
  const toggle = (name: string) => onChange(chosen.has(name) ? value.filter((t) => t !== name) : [...value, name]);

  const groups = serverList.map((server, index) => {
    const tools = toolLists[index]?.data?.tools ?? [];
    const options: Option[] = [
      { name: `${server.name}.*`, description: "Every tool of this server, including ones it adds later." },
      ...tools.map((tool) => ({ name: tool.qualifiedName, description: tool.description })),
    ];
    const note = !server.enabled ? "disabled" : toolLists[index]?.isPending ? "loading tools…" : tools.length ? undefined : "no tools known yet: test it on the MCP page";
    return { server, options, note };
  });
  const known = new Set([...BUILTIN_TOOLS.map((t) => t.name), ...groups.flatMap((g) => g.options.map((o) => o.name))]);
  const unknown = value.filter((name) => !known.has(name));

  return (
    <div className="field">
      <span className="field-label" id="agent-tools-label">
        Allowed tools <span className="faint">({value.length} chosen)</span>
      </span>
      <div className={styles.toolPicker} role="group" aria-labelledby="agent-tools-label">
        <ToolGroup title="Built-in" options={[...BUILTIN_TOOLS]} chosen={chosen} onToggle={toggle} />
        {groups.map(({ server, options, note }) => (
          <ToolGroup key={server.id} title={`MCP: ${server.name}`} options={options} chosen={chosen} onToggle={toggle} note={note} />
        ))}
        {unknown.length > 0 && (
          <ToolGroup
            title="Not found"
            note="no server offers these now"
            options={unknown.map((name) => ({ name, description: "" }))}
            chosen={chosen}
            onToggle={toggle}
          />
        )}
      </div>
      <p className="field-hint">
        The agent is offered only these tools (and submit_result to hand in its answer).
        {canReadTools && serverList.length === 0 && servers.isSuccess && " Add MCP servers on the MCP servers page to offer more."}
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
