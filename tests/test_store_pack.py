"""The Store pack: each root cause of a down Metadata Store named from the Store's own log,
the CloudEvent Handler's and the Observer's errors folded under it; other PostgreSQL
databases and Kubeflow's ML metadata store kept out; logger names as attribution."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import ROOT

from amr_logpatterns import Classifier, Report, classify_paths, load_packs
from amr_logpatterns.cli import main
from amr_logpatterns.explain import explain_line

LOGS = ROOT / "examples" / "logs"
HANDLER_MDS_DOWN = LOGS / "handler-mds-down.jsonl"

#: Each Store root cause: the example log that shows it, its diagnosis and the findings it rests on.
ROOT_CAUSES = {
    "store-password-mismatch.log": (
        "diagnosis.store-db-password-mismatch",
        ["store.db-password-mismatch"],
    ),
    "store-volume-eks.txt": (
        "diagnosis.store-volume-not-provisioned",
        ["store.volume-not-provisioned"],
    ),
    "store-cert-expired.log": (
        "diagnosis.store-certificate-expired",
        ["store.app-certificate-expired", "store.db-certificate-expired"],
    ),
    "store-index-corruption.jsonl": (
        "diagnosis.store-index-corruption",
        ["store.index-corruption"],
    ),
    "store-upgrade-checkpoint.log": (
        "diagnosis.store-db-checkpoint-lost",
        ["store.db-checkpoint-lost"],
    ),
}

#: The diagnoses that only say the Store is down (or crashes), without a reason.
REASONLESS = {"diagnosis.metadata-store-down", "diagnosis.store-crash-loop", "diagnosis.handler-unhealthy"}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*argv, "--no-config"], stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def store_ids(report: Report) -> set[str]:
    return {f.id for f in report.findings if f.id.startswith("store.")}


# --- a handler log and a Store log together: the Store's root cause, the handler's symptoms


@pytest.mark.parametrize("log", sorted(ROOT_CAUSES), ids=lambda name: ROOT_CAUSES[name][0])
def test_the_store_log_names_why_the_handler_cannot_reach_the_store(log: str) -> None:
    diagnosis_id, rests_on = ROOT_CAUSES[log]
    report = classify_paths([HANDLER_MDS_DOWN, LOGS / log])
    assert [d.id for d in report.diagnoses] == [diagnosis_id]
    (diagnosis,) = report.diagnoses
    assert diagnosis.finding_ids == rests_on
    assert {"handler.mds-unavailable", "handler.location-post-error"} <= set(diagnosis.symptom_ids)
    handler = next(f for f in report.findings if f.id == "handler.mds-unavailable")
    assert handler.explained_by == [diagnosis_id]


@pytest.mark.parametrize("log", sorted(ROOT_CAUSES), ids=lambda name: ROOT_CAUSES[name][0])
def test_the_command_reads_both_files_the_same_way(log: str) -> None:
    diagnosis_id, _ = ROOT_CAUSES[log]
    code, out = run("scan", "--format", "json", str(HANDLER_MDS_DOWN), str(LOGS / log))
    report = json.loads(out)
    assert code == 1
    assert [d["id"] for d in report["diagnoses"]] == [diagnosis_id]
    assert not REASONLESS & {d["id"] for d in report["diagnoses"]}
    assert "handler.mds-unavailable" in report["diagnoses"][0]["symptom_ids"]


def test_alone_the_handler_log_still_says_only_that_the_store_is_down() -> None:
    report = classify_paths([HANDLER_MDS_DOWN])
    assert [d.id for d in report.diagnoses] == ["diagnosis.metadata-store-down"]


def test_the_observer_s_failed_health_checks_fold_under_the_store_s_root_cause(
    classifier: Classifier,
) -> None:
    failed = "2024-03-11T10:04:02Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{\"status\": \"503 Service Unavailable\"}\n"
    store = (LOGS / "store-password-mismatch.log").read_text()
    report = classifier.classify_many([("amr-observer.log", failed), ("store.log", store)])
    assert [d.id for d in report.diagnoses] == ["diagnosis.store-db-password-mismatch"]
    assert "observer.health-check-failed" in report.diagnoses[0].symptom_ids


def test_a_crash_loop_with_its_cause_in_the_log_is_told_under_the_cause() -> None:
    report = classify_paths([LOGS / "store-upgrade-checkpoint.log"])
    (diagnosis,) = report.diagnoses
    assert diagnosis.id == "diagnosis.store-db-checkpoint-lost"
    assert {"store.crash-loop", "store.db-startup-aborted"} <= set(diagnosis.symptom_ids)


# --- recovery: the Store's healthy signals end its failures


def test_the_database_coming_back_ends_the_lost_checkpoint(classifier: Classifier) -> None:
    lines = [
        "$ kubectl -n metadata-store logs metadata-store-db-0 --previous",
        "2024-05-14 09:12:40.126 UTC [14] PANIC:  could not locate a valid checkpoint record",
        "2024-05-14 09:12:40.811 UTC [1] LOG:  aborting startup due to startup process failure",
        "2024-05-14 10:40:03.552 UTC [1] LOG:  database system is ready to accept connections",
    ]
    report = classifier.classify("\n".join(lines) + "\n")
    lost = next(f for f in report.findings if f.id == "store.db-checkpoint-lost")
    assert lost.recovery is not None and lost.recovery.status == "recovered"
    assert lost.recovery.signal == "store.db-ready"


def test_a_ready_database_before_the_certificate_errors_is_no_recovery() -> None:
    report = classify_paths([LOGS / "store-cert-expired.log"])
    db = next(f for f in report.findings if f.id == "store.db-certificate-expired")
    assert db.recovery is not None and db.recovery.status == "ongoing"


def test_an_accepted_cloudevent_ends_the_observer_s_failed_health_checks(
    classifier: Classifier,
) -> None:
    failed = '2024-11-12T09:10:02Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{"status": "503 Service Unavailable"}'
    accepted = '2024-11-12T09:14:17Z\tINFO\treplicaset.sendCloudEvent\treceived result\t{"ceType": "dev.knative.apiserver.resource.add", "result": "204: "}'
    report = classifier.classify(f"{failed}\n{accepted}\n")
    health = next(f for f in report.findings if f.id == "observer.health-check-failed")
    assert health.recovery is not None and health.recovery.status == "recovered"
    assert health.recovery.signal == "observer.cloudevent-accepted"


# --- near misses: other PostgreSQL databases and Kubeflow's ML metadata store

OTHER_DATABASES = """\
[pod/postgres-0/postgres] 2024-05-14 09:12:40.126 UTC [14] LOG:  invalid primary checkpoint record
[pod/postgres-0/postgres] 2024-05-14 09:12:40.126 UTC [14] PANIC:  could not locate a valid checkpoint record
[pod/postgres-0/postgres] 2024-05-14 09:12:40.811 UTC [1] LOG:  startup process (PID 14) was terminated by signal 6: Aborted
[pod/postgres-0/postgres] 2024-05-14 09:12:40.811 UTC [1] LOG:  aborting startup due to startup process failure
[pod/postgres-0/postgres] 2024-05-14 09:13:02.204 UTC [1] LOG:  database system is ready to accept connections
[pod/postgres-0/postgres] 2024-05-14 09:20:26.576 UTC [13097] LOG:  could not accept SSL connection: sslv3 alert bad certificate
[pod/postgres-0/postgres] 2024-05-14 09:21:17.412 UTC [231] FATAL:  password authentication failed for user "mlmd"
[pod/postgres-0/postgres] 2024-05-14 09:21:17.412 UTC [231] FATAL:  password authentication failed for user "metadata-store-user"
"""

KUBEFLOW_PASTE = """\
$ kubectl -n kubeflow logs metadata-grpc-deployment-6f6f7776c5-abcde
2024/05/14 09:21:44 http: TLS handshake error from 10.244.3.21:40122: remote error: tls: bad certificate
2024-05-14 09:21:50.118 UTC [88] LOG:  could not accept SSL connection: sslv3 alert bad certificate
2024-05-14 09:22:07.402 UTC [1] LOG:  database system is ready to accept connections
{"level":"error","ts":"2024-05-14T09:22:17.4Z","logger":"MetadataStore","msg":"Found corrupted database indexes but unable to fix them"}
{"level":"info","ts":"2024-05-14T09:22:31.1Z","logger":"MetadataStore","msg":"Request response","code":200,"response":"OK"}

$ kubectl -n kubeflow logs ml-pipeline-7c5b9d8f64-t2kqz
[error] failed to initialize database, got error failed to connect to `host=metadata-store-db user=metadata-store-user database=metadata-store`: server error (FATAL: password authentication failed for user "metadata-store-user" (SQLSTATE 28P01))
Failed to connect to the metadata store: password authentication failed for user "mlmd"

$ kubectl get events -A
kubeflow         2m31s   Warning   FailedScheduling     pod/metadata-db-0                            running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "postgres-db-pv-claim"
kubeflow         17m     Warning   FailedBinding        persistentvolumeclaim/postgres-db-pv-claim   no persistent volumes available for this claim and no storage class is set
"""


@pytest.mark.parametrize(
    "text", [OTHER_DATABASES, KUBEFLOW_PASTE], ids=["postgres-0", "kubeflow-metadata"]
)
def test_other_databases_and_kubeflow_s_metadata_store_are_not_the_store(
    classifier: Classifier, text: str
) -> None:
    report = classifier.classify(text)
    assert store_ids(report) == set()
    assert not any(d.id.startswith("diagnosis.store-") for d in report.diagnoses)


def test_the_same_postgresql_lines_count_once_a_store_pod_is_named(classifier: Classifier) -> None:
    named = OTHER_DATABASES.replace("[pod/postgres-0/postgres]", "[pod/metadata-store-db-0/metadata-store-db]")
    assert store_ids(classifier.classify(named)) == {
        "store.db-checkpoint-lost",
        "store.db-startup-aborted",
        "store.db-ready",
        "store.db-certificate-expired",
        "store.db-password-mismatch",
    }


def test_another_user_refused_by_the_store_s_database_is_not_a_password_mismatch(
    classifier: Classifier,
) -> None:
    line = '[pod/metadata-store-db-0/metadata-store-db] 2024-05-14 09:21:17.412 UTC [231] FATAL:  password authentication failed for user "mlmd"\n'
    assert store_ids(classifier.classify(line)) == set()


# --- logger names as attribution

STORE_SERVED = '{"level":"info","ts":"2024-03-11T10:31:02.118734Z","logger":"MetadataStore","msg":"Request response","hostname":"metadata-store-app-5f7c9d8b6-wq4zr","method":"GET","endpoint":"/api/health","code":200,"response":"OK"}'
GRAPHQL_SERVED = '{"level":"info","ts":"2024-03-11T10:31:05.40113Z","logger":"Artifact Metadata Repository","msg":"Request response","hostname":"amr-graphql-app-6f7d8c9b5-r8t2v","code":200,"response":"OK"}'


def test_the_components_declare_the_loggers_their_programs_write_under() -> None:
    components = {c.id: c for c in load_packs().components}
    assert components["store"].loggers == ["MetadataStore", "MetadataStore.*"]
    assert components["graphql"].loggers == [
        "Artifact Metadata Repository",
        "Artifact Metadata Repository.*",
    ]


def test_a_store_line_from_a_named_pod_counts_as_the_store_s(classifier: Classifier) -> None:
    line = f"[pod/metadata-store-app-5f7c9d8b6-wq4zr/metadata-store-app] {STORE_SERVED}\n"
    assert {f.id for f in classifier.classify(line).findings} == {"store.request-served"}


def test_a_line_under_the_store_s_logger_counts_without_a_pod(classifier: Classifier) -> None:
    assert {f.id for f in classifier.classify(STORE_SERVED + "\n").findings} == {"store.request-served"}


def test_a_line_under_the_graphql_app_s_logger_counts_as_graphql_s(classifier: Classifier) -> None:
    assert {f.id for f in classifier.classify(GRAPHQL_SERVED + "\n").findings} == {"graphql.request-served"}


def test_explain_line_says_a_line_under_another_logger_is_refused(classifier: Classifier) -> None:
    expl = explain_line(classifier, GRAPHQL_SERVED, signature_id="store.request-served")
    (record,) = expl.records
    (near,) = [m for m in record.near_misses if m.id == "store.request-served"]
    assert near.reason == "attribution"
    refusal = near.attribution[0]
    assert (refusal.component, refusal.key, refusal.value) == ("store", "logger", "Artifact Metadata Repository")
    assert refusal.accepts == ["MetadataStore", "MetadataStore.*"]


def test_a_logger_carried_as_a_field_attributes_and_refuses(classifier: Classifier) -> None:
    """klog's structured ``logger="..."`` names the logger as zap's key does."""
    store = 'I0311 10:31:02.118734       1 server.go:88] "Request response" logger="MetadataStore" code=200 response="OK"'
    assert {f.id for f in classifier.classify(store + "\n").findings} == {"store.request-served"}
    graphql = store.replace('logger="MetadataStore"', 'logger="Artifact Metadata Repository"')
    assert {f.id for f in classifier.classify(graphql + "\n").findings} == {"graphql.request-served"}
    expl = explain_line(classifier, graphql, signature_id="store.request-served")
    (near,) = [m for r in expl.records for m in r.near_misses if m.id == "store.request-served"]
    refusal = near.attribution[0]
    assert (refusal.component, refusal.key, refusal.value) == ("store", "logger", "Artifact Metadata Repository")
    assert "logger" in refusal.origin


def test_the_command_explains_a_refused_logger_in_json() -> None:
    graphql = 'I0311 10:31:02.118734       1 server.go:88] "Request response" logger="Artifact Metadata Repository" code=200'
    code, out = run("explain-line", "--format", "json", "--signature", "store.request-served", graphql)
    assert code == 0
    text = json.dumps(json.loads(out))
    assert '"key": "logger"' in text and "Artifact Metadata Repository" in text


def test_every_store_example_log_is_listed_in_expected() -> None:
    listed = (LOGS / "EXPECTED.yaml").read_text()
    for name in ROOT_CAUSES:
        assert Path(LOGS / name).is_file() and f"\n{name}:\n" in listed
