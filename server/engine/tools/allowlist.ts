// Which hosts `http` steps and the http_fetch tool may reach (MAESTRO_HTTP_ALLOWLIST).
// Patterns: `*` any host; `example.com` that host; `*.example.com` its subdomains;
// `host:port` that host on that port; `https://host[:port][/path]` that scheme, host,
// port and path prefix. Only http and https are ever reachable.

export interface Allowlist {
  allows(url: URL): boolean;
  /** The patterns, for error messages and the settings page. */
  describe(): string;
}

export const ALLOWLIST_SETTING = "MAESTRO_HTTP_ALLOWLIST";

const SCHEMES = new Set(["http:", "https:"]);
const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

interface Rule {
  /** Exact host, or the suffix after `*.` when `subdomains`. */
  host: string;
  subdomains: boolean;
  port?: string;
  scheme?: string;
  pathPrefix?: string;
}

const effectivePort = (url: URL) => url.port || DEFAULT_PORTS[url.protocol] || "";

/** Hosts compare without case and without the brackets of IPv6 literals. */
const normalizeHost = (host: string) => host.toLowerCase().replace(/^\[(.*)\]$/, "$1");

function parseHostPort(text: string): { host: string; port?: string } {
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (ipv6) return { host: ipv6[1]!, ...(ipv6[2] ? { port: ipv6[2] } : {}) };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort) return { host: hostPort[1]!, port: hostPort[2]! };
  return { host: text };
}

function parseRule(pattern: string): Rule | null {
  if (pattern.includes("://")) {
    let url: URL;
    try {
      url = new URL(pattern);
    } catch {
      return null;
    }
    if (!SCHEMES.has(url.protocol)) return null;
    const subdomains = url.hostname.startsWith("*.");
    return {
      host: normalizeHost(subdomains ? url.hostname.slice(2) : url.hostname),
      subdomains,
      port: effectivePort(url),
      scheme: url.protocol,
      ...(url.pathname !== "/" ? { pathPrefix: url.pathname } : {}),
    };
  }
  const { host, port } = parseHostPort(pattern);
  const subdomains = host.startsWith("*.");
  return { host: normalizeHost(subdomains ? host.slice(2) : host), subdomains, ...(port ? { port } : {}) };
}

function matches(rule: Rule, url: URL): boolean {
  const host = normalizeHost(url.hostname);
  const hostOk = rule.subdomains ? host.endsWith(`.${rule.host}`) : host === rule.host;
  if (!hostOk) return false;
  if (rule.scheme && rule.scheme !== url.protocol) return false;
  if (rule.port && rule.port !== effectivePort(url)) return false;
  if (rule.pathPrefix) {
    const prefix = rule.pathPrefix.endsWith("/") ? rule.pathPrefix : `${rule.pathPrefix}/`;
    if (url.pathname !== rule.pathPrefix && !url.pathname.startsWith(prefix)) return false;
  }
  return true;
}

/** Patterns as listed in the setting (comma-separated there); blanks and unreadable ones are ignored. */
export function createAllowlist(patterns: readonly string[]): Allowlist {
  const cleaned = patterns.map((p) => p.trim()).filter(Boolean);
  const any = cleaned.includes("*");
  const rules = cleaned.filter((p) => p !== "*").map(parseRule).filter((rule): rule is Rule => rule !== null);
  return {
    allows(url) {
      if (!SCHEMES.has(url.protocol)) return false;
      return any || rules.some((rule) => matches(rule, url));
    },
    describe() {
      if (any) return "any host";
      return cleaned.length ? cleaned.join(", ") : "nothing (the allow-list is empty)";
    },
  };
}

/** Why a URL is refused, naming the setting that would allow it. */
export function refusalMessage(allowlist: Allowlist, url: URL): string {
  if (!SCHEMES.has(url.protocol)) return `Only http and https URLs can be requested, not ${url.protocol.replace(/:$/, "")}: (${url.href}).`;
  return `The host ${url.host} is not in the HTTP allow-list (allowed: ${allowlist.describe()}). Add it to ${ALLOWLIST_SETTING} to let workflows reach it.`;
}
