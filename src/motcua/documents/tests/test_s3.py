"""The documents' storage on S3-compatible object storage (django-storages), against a real S3 API server
started here (moto's server mode, over HTTP on a free port): files under their SHA-256, one object per
content, nothing on the local disk, altered objects refused."""

from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer

from motcua.documents import pki, results, services, storage, verify
from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df

pytestmark = pytest.mark.django_db
BUCKET = "motcua-ho-so"
KEYS = {"aws_access_key_id": "motcua-test", "aws_secret_access_key": "motcua-test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, tmp_path, _documents_storage):
    client = boto3.client("s3", endpoint_url=s3_server, region_name="ap-southeast-1", **KEYS)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "ap-southeast-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "location": "documents",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    settings.MOTCUA_SIGNING_DIR = tmp_path / "signing"
    pki.create_demo_ca()
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_forms_and_signed_results_live_in_the_bucket_under_their_hash(bucket, w, _documents_storage):
    d = df.receive(w)
    receipt = services.issue_form(w.intake_a, d.code, "01")
    for n, by in enumerate((w.intake_a, w.specialist_a, w.leader_a), start=1):
        s.hand_over(d.code, by=by, expected_version=n)
    result = results.issue_result(w.head_a, d.code, expected_version=4)
    assert _keys(bucket) == sorted(f"documents/{doc.storage_name}" for doc in (receipt, result))
    assert receipt.storage_name == f"{receipt.sha256[:2]}/{receipt.sha256[2:4]}/{receipt.sha256}.pdf"
    assert verify.verify(services.content(result)).genuine  # read back from the bucket, hash checked
    assert not _documents_storage.exists()  # nothing went to the local folder
    # the same bytes again are the same object; an object changed in the bucket is refused, not served
    again = storage.put(services.content(receipt))
    assert again.name == receipt.storage_name and len(_keys(bucket)) == 2
    bucket.put_object(Bucket=BUCKET, Key=f"documents/{receipt.storage_name}", Body=b"%PDF-1.7 altered")
    with pytest.raises(OSError, match="không khớp mã băm"):
        services.content(receipt)
