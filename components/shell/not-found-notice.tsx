import { LinkButton } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";

export function NotFoundNotice() {
  return (
    <div className="status-page">
      <div className="empty-state-icon">
        <Icon name="compass" size={22} />
      </div>
      <p className="status-code">404 · NOT FOUND</p>
      <h1 className="status-title">This page does not exist</h1>
      <p className="status-body">The address may be mistyped, or what it pointed to has been removed.</p>
      <div className="status-actions">
        <LinkButton href="/" variant="primary">
          Back to the dashboard
        </LinkButton>
      </div>
    </div>
  );
}
