import { ResourceValidationPolicy } from "@pulumi/policy";
import { route53TxtStrings } from "../../lib/state";
import { TXT_STRING_MAX } from "../../lib/txt";
import { TYPES } from "../facts";

/**
 * A resource policy: it needs nothing but the record itself, and runs before the record is created
 * (on the inputs, `first""rest`) and in an audit (on the state, `first" "rest`).
 */
export const route53TxtChunking: ResourceValidationPolicy = {
  name: "route53-txt-chunking",
  description: `Route 53 TXT values split every string longer than ${TXT_STRING_MAX} characters (the provider's "first""rest" form); Route 53 rejects them at apply.`,
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.route53Record || String(args.props.type).toUpperCase() !== "TXT") return;
    for (const value of (args.props.records as unknown[] | null | undefined) ?? []) {
      if (typeof value !== "string") continue;
      const long = route53TxtStrings(value).filter((s) => s.length > TXT_STRING_MAX);
      if (!long.length) continue;
      report(
        `TXT ${args.props.name}: a string of ${long[0].length} characters; Route 53 takes at most ${TXT_STRING_MAX} per string and fails the apply. ` +
          `Split the value into ${TXT_STRING_MAX}-character pieces joined by "" (e.g. "v=DKIM1; k=rsa; p=MIIB…""…rest"); the provider keeps them as one record.`,
      );
    }
  },
};
