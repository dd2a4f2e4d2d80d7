import { crcResponseBody, parseCrcToken } from "../protocol/crc.js";
import { defineCommand, UsageError } from "./_command.js";
import { CHALLENGE_SECRET_ENV, readSecret, secretOptions } from "./_secrets.js";

export const crcCommand = defineCommand({
  name: "crc",
  summary: "Print the JSON body a receiver must answer to a legacy crc_token challenge.",
  usage: ["crc <crc_token> --challenge-secret-file FILE", "crc <crc_token> --challenge-secret S"],
  examples: [
    [
      "netdata-webhook-kit crc abc123 --challenge-secret-file challenge.txt",
      'prints {"response_token":"sha256=…"}',
    ],
    ["NETDATA_CHALLENGE_SECRET=… netdata-webhook-kit crc 9b4507b3", "secret from the environment"],
  ],
  options: secretOptions("challenge-secret", CHALLENGE_SECRET_ENV, "the challenge secret"),
  renamed: { secret: "challenge-secret", "secret-file": "challenge-secret-file" },
  positionals: { min: 1, max: 1 },
  notes:
    "The answer is sha256= + base64(HMAC-SHA256(secret, crc_token)), as Netdata checks it. Exit codes: 0 printed, 2 usage error.",
  run: ({ values, positionals, stdout, env, cwd }) => {
    const token = parseCrcToken(positionals[0]);
    if (!token.ok) throw new UsageError(`<crc_token>: ${token.reason}.`);
    const secret = readSecret(values, "challenge-secret", CHALLENGE_SECRET_ENV, { env, cwd });
    if (secret === undefined) {
      throw new UsageError(
        `no challenge secret. Pass --challenge-secret-file FILE, --challenge-secret S or set ${CHALLENGE_SECRET_ENV}.`,
      );
    }
    stdout(`${JSON.stringify(crcResponseBody(secret, token.token))}\n`);
    return 0;
  },
});
