"""What stage 1 must find for the decode stage, gathered from the modules that read it."""

from __future__ import annotations

from amr_logpatterns.decode import STAGE1 as GLUED
from amr_logpatterns.decode import base, blocks, events, kernel, klog, pods, podstate, zap_json
from amr_logpatterns.models.stage1 import Pattern

STAGE1: tuple[Pattern, ...] = (
    *base.STAGE1,
    *klog.STAGE1,
    *zap_json.STAGE1,
    *GLUED,
    *blocks.STAGE1,
    *podstate.STAGE1,
    *pods.STAGE1,
    *events.STAGE1,
    *kernel.STAGE1,
)
