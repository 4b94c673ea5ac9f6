/**
 * `verify --state`: a `pulumi stack export` read the way the stack audit and the policy pack read
 * one (tools/plan/engine.ts, policy/facts.ts), so all three see the same identities and records:
 * SESv2 or v1 identities, Route 53 or Cloudflare (v5 or v6) records, absolute or zone-relative
 * names. The CLI loads this file only for --state: the pack's model brings @pulumi/policy, which
 * takes about a second to load.
 */
import { StackFacts } from "../../policy/facts";
import { isUnknown } from "../../policy/preview";
import { fromDeployment, NotAnExport, ROOT_STACK_TYPE } from "../plan/engine";
import { policyResources } from "../run-policies";
import { RecordType } from "../../lib/records";
import { addByRegion, DeclaredRecord, declaredRecords, parseJson, RECORD_TYPES, ReplicaMap, TokenMap } from "./targets";
import { UsageError } from "../command";

export interface StateTargets {
  records: DeclaredRecord[];
  tokens: TokenMap;
  /** The identities that are Deterministic Easy DKIM replicas, and their parents' regions. */
  replicas: ReplicaMap;
}

/**
 * Easy DKIM tokens from each identity (a replica's are its parent's), and the declared records: the
 * stack's `records` output when present, else the record resources.
 */
export function parseState(text: string, file: string): StateTargets {
  let resources;
  try {
    resources = fromDeployment(parseJson(text, file), file).resources;
  } catch (error) {
    if (error instanceof NotAnExport) throw new UsageError(error.message);
    throw error;
  }
  const facts = new StackFacts(policyResources(resources));
  const tokens: TokenMap = new Map();
  const replicas: ReplicaMap = new Map();
  for (const id of facts.identities) {
    const dkim = id.dkim;
    if ((dkim.kind !== "easy" && dkim.kind !== "replica") || id.region === undefined || isUnknown(dkim.tokens) || dkim.tokens === undefined) continue;
    addByRegion(tokens, id.domain, id.region, dkim.tokens);
    if (dkim.kind === "replica") addByRegion(replicas, id.domain, id.region, dkim.parentRegion);
  }
  const outputs = resources.find((r) => r.type === ROOT_STACK_TYPE)?.props;
  if (outputs?.records !== undefined) return { records: declaredRecords(outputs.records, `${file}: stack output "records"`), tokens, replicas };
  const records: DeclaredRecord[] = [];
  for (const { name, type, values } of facts.records) {
    // An export holds only known values; a record of another type is none of SES's.
    if (isUnknown(name) || isUnknown(type) || isUnknown(values) || !RECORD_TYPES.includes(type as RecordType)) continue;
    records.push({ name, type: type as RecordType, values });
  }
  return { records, tokens, replicas };
}
