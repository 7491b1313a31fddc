import { StatusNotice } from "./status-notice";

export function NotFoundNotice() {
  return (
    <StatusNotice icon="compass" code="404 · NOT FOUND" title="This page does not exist">
      <p className="status-body">The address may be mistyped, or what it pointed to has been removed.</p>
    </StatusNotice>
  );
}
