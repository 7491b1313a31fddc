"use client";
import { ErrorNotice } from "@/components/shell/error-notice";

export default function DashboardError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorNotice {...props} />;
}
