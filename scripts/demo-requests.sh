#!/bin/sh
# Prints example requests against the demo API. $1 = address, $2 = scores.csv
# written by `train score` (highest score first: its first customer is at risk).
set -eu
addr=$1
scores=$2
risky=$(sed -n 2p "$scores" | cut -d, -f1)
calm=$(tail -n 1 "$scores" | cut -d, -f1)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat <<MSG

The API starts below on http://$addr (Ctrl-C stops it).

  Console for support teams (at-risk list, customers, churn figures, model):
    http://$addr/console/

In another terminal:

  # 1. the riskiest demo customer, with the reasons behind its score
  curl -s http://$addr/v1/customers/$risky/risk

  # 2. make a calm customer look like a churner: an angry ticket and a cancel-page visit
  curl -s -X POST http://$addr/v1/events -H 'Content-Type: application/json' -d '{"events":[
    {"type":"ticket","customer_id":"$calm","timestamp":"$now","event_id":"demo-1","text":"This is terrible, I want to cancel and get a refund."},
    {"type":"page_view","customer_id":"$calm","timestamp":"$now","event_id":"demo-2","path":"/account/cancel"}]}'
  curl -s http://$addr/v1/customers/$calm/risk
  # (expect "risk_level":"high", "flagged":true and a ticket feature such as
  #  churn_intent_tickets_90d among the drivers: in the generated data most
  #  leavers ask to cancel shortly before they go, and the model learned it)

  # 3. score a customer that is not stored (what-if), with inline events
  curl -s -X POST http://$addr/v1/score -H 'Content-Type: application/json' -d '{"customers":[
    {"customer_id":"what-if","plan":"growth","mrr":300,"signup_at":"2025-01-15",
     "events":[{"type":"page_view","timestamp":"$now","path":"/pricing"}]}]}'

MSG
