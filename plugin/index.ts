// The components other languages use: the library's own classes, re-exported unchanged. The
// Node SDK's component provider serves each exported ComponentResource under the package's name
// (package.json), `ses-email-auth:index:<Class>`, the type the TypeScript component registers.
export { SesAddress, SesDomain, SesGlobalEndpoint, SesReportReceiving } from "ses-email-auth";
