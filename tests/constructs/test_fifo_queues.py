"""A FIFO link's queue: a .fifo queue with a FIFO dead-letter queue, still passing the quality gates."""

from __future__ import annotations

import pytest

from servey_cdk.appspec_builder import load_spec
from tests.constructs.conftest import AppStack, synthesized_app_stack
from tests.constructs.template_queries import of_type


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> AppStack:
    return synthesized_app_stack(
        tmp_path_factory.mktemp("ledger.out"), load_spec("tests.constructs.fifo_app"), "Ledger"
    )


def test_GIVEN_a_fifo_link_THEN_its_queue_and_dead_letter_queue_are_fifo(ledger: AppStack) -> None:
    queues = of_type(ledger.resources, "AWS::SQS::Queue")
    [queue] = [item["Properties"] for item in queues.values() if "QueueName" in item["Properties"]]
    dead_letters = queues[queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]]["Properties"]
    assert str(queue["QueueName"]).endswith("-ledger-book.fifo")
    assert (queue["FifoQueue"], queue["ContentBasedDeduplication"]) == (True, True)
    assert dead_letters["FifoQueue"] is True
    assert ledger.validation_error is None
