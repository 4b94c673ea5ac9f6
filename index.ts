// The Pulumi program: validate the whole stack config first (a bad config registers nothing),
// then declare every domain and address. Everything else lives in lib/ and components/.
import * as pulumi from "@pulumi/pulumi";
import { dmarcConfigWarnings, parseStackConfig } from "./lib/config";
import { declareStack } from "./components/stack";

const spec = parseStackConfig(pulumi.runtime.allConfig());
// Valid, but read differently by RFC 7489 and RFC 9989 receivers: `pulumi preview` and `npm run plan` show these.
for (const warning of dmarcConfigWarnings(spec)) void pulumi.log.warn(`${warning.key}: ${warning.message}`);
const config = new pulumi.Config();
const outputs = declareStack(spec, (key) => config.requireSecret(key));

export const identities = outputs.identities;
export const addresses = outputs.addresses;
export const records = outputs.records;
export const zoneFile = outputs.zoneFile;
export const sending = outputs.sending;
// Only a stack with a global endpoint (or receiving reports) has that output (an export left undefined is an SDK warning).
if (outputs.globalEndpoint) module.exports.globalEndpoint = outputs.globalEndpoint;
if (outputs.reports) module.exports.reports = outputs.reports;
