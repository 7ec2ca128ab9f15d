import type { Tier } from "../config.ts";
import { bufferedTier } from "./buffered.ts";
import type { TierModule } from "./contract.ts";
import { dedicatedTier } from "./dedicated.ts";
import { standardTier } from "./standard.ts";

export const tiers: Record<Tier, TierModule> = {
  Standard: standardTier,
  Buffered: bufferedTier,
  Dedicated: dedicatedTier,
};
