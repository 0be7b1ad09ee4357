// GitHub's own issue-form parser as a test oracle.
//
// Reads one JSON batch from stdin, [{"body": str, "template_yaml": str}, ...],
// and prints one JSON array with, per case, {"parsed": {...}} or {"error": str}.
// One node process per batch keeps the differential test fast; values the
// parser leaves `undefined` disappear in JSON, exactly as they do for GitHub
// Actions that JSON.stringify its output.
import { parseIssue } from '@github/issue-parser'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))

const results = cases.map(({ body, template_yaml: template }) => {
  try {
    return { parsed: parseIssue(body, template) }
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) }
  }
})
process.stdout.write(JSON.stringify(results))
