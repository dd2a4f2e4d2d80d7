#!/bin/sh
# Baseline of bench row 6: the development PKI of `netdata-webhook-kit certs` made with the
# openssl CLI alone. Same 13 certificates as src/pki/pki-plan.ts: ECDSA P-256 keys (PKCS#8,
# 0600), SHA-256 signatures, the same subjects (RDN order included), extensions, issuers and
# validity periods (CAs from 7 days ago, leaves from 1 hour ago; one expired, one not yet valid),
# and client-via-intermediate.pem holding the intermediate after the leaf.
#
# As lean as the openssl CLI allows: one `req` per certificate makes the key and the request,
# all 13 at once; one `ca` per certificate signs it (`ca`, because OpenSSL 3.0's `x509 -req`
# cannot set a start date), each with its own throw-away database so that the leaves of one
# issuer are signed in parallel.
#
# Usage: openssl-pki.sh OUT_DIR
set -eu

out=${1:?usage: openssl-pki.sh OUT_DIR}
mkdir -p "$out"
cd "$out"
work=.openssl-work
rm -rf "$work"
mkdir -p "$work"

now=$(date -u +%s)
at() { date -u -d "@$((now + $1))" +%Y%m%d%H%M%SZ; }
day=86400
ca_from=$(at $((-7 * day)))
ca_to=$(at $(((3650 - 7) * day)))
leaf_from=$(at -3600)
leaf_to=$(at $((825 * day)))

cat >"$work/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
default_ca = dev
[dev]
database = $ENV::DB/index.txt
new_certs_dir = $ENV::DB
serial = $ENV::DB/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client_server_eku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
export OPENSSL_CONF="$work/openssl.cnf"
export DB="$work" # the config names it; each `ca` below gets its own

org="/O=netdata-webhook-kit (TEST ONLY)"
cn=app.netdata.cloud

# name|subject|issuer (self for a root)|extensions section|notBefore|notAfter
plan="ca|$org/CN=netdata-webhook-kit TEST Root CA|self|root|$ca_from|$ca_to
intermediate|$org/CN=netdata-webhook-kit TEST Intermediate CA|ca|intermediate|$ca_from|$ca_to
server|/CN=localhost|ca|server|$leaf_from|$leaf_to
client|/CN=$cn|ca|client|$leaf_from|$leaf_to
client-via-intermediate|/CN=$cn|intermediate|client|$leaf_from|$leaf_to
client-wrong-cn|/CN=evil.example|ca|client|$leaf_from|$leaf_to
client-lookalike-cn|/CN=$cn.evil.example|ca|client|$leaf_from|$leaf_to
client-two-cn|/CN=evil.example/CN=$cn|ca|client|$leaf_from|$leaf_to
client-expired|/CN=$cn|ca|client|$ca_from|$(at $((-1 * day)))
client-not-yet-valid|/CN=$cn|ca|client|$(at $((5 * 365 * day)))|$(at $(((5 * 365 + 825) * day)))
client-server-eku|/CN=$cn|ca|client_server_eku|$leaf_from|$leaf_to
rogue-ca|/O=rogue (TEST ONLY)/CN=netdata-webhook-kit TEST Rogue Root CA|self|root|$ca_from|$ca_to
client-untrusted|/CN=$cn|rogue-ca|client|$leaf_from|$leaf_to"

umask 077
# Keys and certificate requests, all at once.
echo "$plan" | {
  while IFS='|' read -r name subject _rest; do
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$name.key" -out "$work/$name.csr" -subj "$subject" 2>"$work/$name.req.log" &
  done
  wait
}
umask 022

# Signs, in parallel, every certificate of the plan whose issuer is one of the arguments.
sign_issued_by() {
  echo "$plan" | {
  while IFS='|' read -r name _subject issuer ext from to; do
    case " $* " in *" $issuer "*) ;; *) continue ;; esac
    db="$work/db-$name"
    mkdir "$db"
    : >"$db/index.txt"
    if [ "$issuer" = self ]; then
      signer="-selfsign -keyfile $name.key"
    else
      signer="-cert $issuer.pem -keyfile $issuer.key"
    fi
    # shellcheck disable=SC2086 # $signer is several words on purpose
    DB="$db" openssl ca -batch -notext -preserveDN -rand_serial $signer -extensions "$ext" \
      -startdate "$from" -enddate "$to" -in "$work/$name.csr" -out "$name.pem" 2>"$work/$name.ca.log" &
  done
  wait
  }
}

sign_issued_by self
sign_issued_by ca rogue-ca
sign_issued_by intermediate
# Background jobs fail silently: check that every file is there.
echo "$plan" | while IFS='|' read -r name _rest; do
  if [ ! -s "$name.pem" ] || [ ! -s "$name.key" ]; then
    echo "openssl-pki.sh: failed to make $name:" >&2
    cat "$work/$name".*.log >&2
    exit 1
  fi
done
# A TLS client sends the chain: leaf first, then its issuer.
cat intermediate.pem >>client-via-intermediate.pem
rm -rf "$work"
