// The policy pack: it serves the library's policies (ses-email-auth/policy) and does nothing else.
// Plain JavaScript, so the machines that enforce a published pack need no TypeScript to run it.
const { PolicyPack } = require("@pulumi/policy");

let policies;
try {
  policies = require("ses-email-auth/policy");
} catch (error) {
  if (error.code !== "MODULE_NOT_FOUND") throw error;
  throw new Error(
    `the policy pack needs the ses-email-auth library (${error.message.split("\n")[0]}): ` +
      "run `npm install` in the pack's directory, or, in the ses-email-auth repository itself, `npm ci && npm run build` at its top",
  );
}

new PolicyPack(policies.PACK_NAME, policies.packArgs);
