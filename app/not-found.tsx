import type { Metadata } from "next";
import { NotFoundNotice } from "@/components/shell/not-found-notice";
import { StandalonePage } from "@/components/shell/standalone-page";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <StandalonePage>
      <NotFoundNotice />
    </StandalonePage>
  );
}
