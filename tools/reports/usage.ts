/** `npm run reports`' usage text. */
export const USAGE = `usage: npm run reports -- [FILE|FOLDER ...] [--bucket s3://BUCKET[/PREFIX] ... | --stack NAME] [options]
Reads DMARC aggregate reports (.xml, .xml.gz, .zip, emails, SES's raw S3 objects; told apart by their
bytes) and says, per policy domain, who sends as it, what passes, and whether the next rollout stage is safe.
  --bucket s3://B/P       every object below prefix P of bucket B (AWS credentials: the SDK's standard chain)
  --stack NAME            the bucket, prefix and region of the stack's ses-email-auth:reports (Pulumi.NAME.yaml)
  --cwd DIR               with --stack: the project directory holding Pulumi.yaml (default .)
  --region R              the bucket's region (default: the stack's receiving region, else AWS_REGION or the shared config)
  --endpoint URL          an S3-compatible store instead of AWS (path-style addressing)
  --since DAY, --until DAY  only reports of these days, both included (YYYY-MM-DD, or Nd: N days ago)
  --json                  print the summary as JSON instead of text
  --html FILE             also write a self-contained HTML page
  --min-pass PCT          advice: percent of messages that must pass DMARC (default 98)
  --min-days N            advice: days of reports at the current stage (default 14)
  --min-reporters N       advice: distinct reporters (default 2)
  --min-messages N        advice: messages in the period (default 100)
  --max-source-fail PCT   advice: no source may fail with more than PCT% of messages (default 1)
  --max-member-mb MB      refuse a gzip file or zip member that expands past MB (default 256)
  --ses-spf RECORD        SES's SPF record, whose ip4: ranges mark SES sources (default: the built-in copy)
Exit status: 0 every input was read, 1 some input was not a report (listed, the rest still counted),
2 usage error, 3 failure of the tool itself.`;
