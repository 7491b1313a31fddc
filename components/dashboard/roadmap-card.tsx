import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { AREAS } from "@/components/coming-soon/areas";

/** The areas that arrive in later releases, each linking to its page. */
export function RoadmapCard() {
  return (
    <Card
      title={
        <>
          <Icon name="compass" /> Coming to Maestro
        </>
      }
    >
      <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0, gap: 10 }}>
        {AREAS.map((area) => (
          <li key={area.href} className="row" style={{ flexWrap: "nowrap", alignItems: "flex-start" }}>
            <span className="feed-icon" style={{ flex: "none" }}>
              <Icon name={area.icon} />
            </span>
            <div>
              <Link href={area.href} className="cell-primary">
                {area.title}
              </Link>
              <div className="cell-sub">{area.summary}</div>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
