"""The sandbox: a deterministic simulated world served through each broker's own API.

It plays the outside world, so it imports nothing from the rest of the project.
"""

from sandbox.drift import DriftProfile
from sandbox.faults import FaultPlan
from sandbox.server import Sandbox, SandboxConfig, serve
from sandbox.world import World, WorldSizes

__all__ = ["DriftProfile", "FaultPlan", "Sandbox", "SandboxConfig", "World", "WorldSizes", "serve"]
