import { describe, expect, it } from "vitest";
import { recognizeProxyAnswer } from "../../src/simulator/proxy-answer.js";

// Pages as nginx 1.22 and Apache 2.4 (Debian) write them.
const nginxPage = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n`;
const apachePage = (status: number, text: string) =>
  `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${text}</title>\n</head><body>\n<h1>${text}</h1>\n<hr>\n<address>Apache/2.4.62 (Debian) Server at localhost Port 8443</address>\n</body></html>\n`;
const answer = (status: number, body: string, server?: string) => ({
  status,
  headers: server ? { server } : {},
  body,
});

describe("a TLS proxy's own answers", () => {
  it.each([
    [
      answer(400, nginxPage(400, "No required SSL certificate was sent"), "nginx"),
      "no-client-certificate",
    ],
    [answer(496, nginxPage(496, "SSL Certificate Required")), "no-client-certificate"],
    [answer(400, nginxPage(400, "The SSL certificate error"), "nginx"), "certificate-refused"],
    [answer(495, nginxPage(495, "SSL Certificate Error")), "certificate-refused"],
    [answer(502, nginxPage(502, "Bad Gateway"), "nginx/1.22.1"), "upstream-unreachable"],
    [answer(504, nginxPage(504, "Gateway Time-out"), "nginx"), "upstream-timeout"],
    [
      answer(503, apachePage(503, "Service Unavailable"), "Apache/2.4.62 (Debian)"),
      "upstream-unreachable",
    ],
    [answer(502, apachePage(502, "Proxy Error")), "upstream-unreachable"],
  ] as const)("recognises %# as the proxy's (%s)", (page, kind) => {
    expect(recognizeProxyAnswer(page)?.kind).toBe(kind);
  });

  it("leaves the receiver's own answers passed through the proxy to the receiver", () => {
    const json = '{"error":"the notification could not be stored; retry later"}';
    expect(recognizeProxyAnswer(answer(503, json, "nginx"))).toBeNull();
    expect(recognizeProxyAnswer(answer(400, '{"error":"invalid JSON"}', "nginx"))).toBeNull();
    expect(recognizeProxyAnswer(answer(502, "<html><body>bad gateway</body></html>"))).toBeNull();
  });
});
