// The pack's entry point: serving it is all this file does (a second PolicyPack in one process exits it).
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./pack";

new PolicyPack(PACK_NAME, packArgs);
