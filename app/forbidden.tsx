import type { Metadata } from "next";
import { ForbiddenNotice } from "@/components/shell/forbidden-notice";
import { StandalonePage } from "@/components/shell/standalone-page";

export const metadata: Metadata = { title: "No access" };

export default function Forbidden() {
  return (
    <StandalonePage>
      <ForbiddenNotice />
    </StandalonePage>
  );
}
