"use client";
import { ErrorNotice } from "@/components/shell/error-notice";
import { StandalonePage } from "@/components/shell/standalone-page";

export default function RootError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StandalonePage>
      <ErrorNotice {...props} />
    </StandalonePage>
  );
}
