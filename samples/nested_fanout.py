"""Daily warehouse audit: a map over warehouses, each item running a parallel of checks.

Concurrency nests: every map item has its own child context, so it can start a `parallel` of its
own (whose branches are child contexts of the item). The map runs two warehouses at a time and
requires all to succeed; each warehouse runs its stock count and its cold-chain check side by side.

Imports: `import aws_durable_execution_sdk_python as sdk` and the config module under an alias.
"""

import aws_durable_execution_sdk_python as sdk
import aws_durable_execution_sdk_python.config as cfg

# Cold-chain limit in tenths of a degree Celsius.
MAX_FRIDGE_DECI_C = 50


@sdk.durable_step
def count_stock(step_ctx: sdk.StepContext, bins: list[int]) -> int:
    """Simulated handheld scanners: sum the bin counts."""
    return sum(bins)


@sdk.durable_step
def read_fridge_sensors(step_ctx: sdk.StepContext, readings: list[int]) -> dict:
    worst = max(readings)
    return {"worst_deci_c": worst, "ok": worst <= MAX_FRIDGE_DECI_C}


def audit_warehouse(ctx: sdk.DurableContext, site: dict, index: int, sites: list[dict]) -> dict:
    """Map item function: a two-branch parallel, then one summarising step."""
    checks = ctx.parallel(
        [
            sdk.ParallelBranch(lambda branch: branch.step(count_stock(site["bins"])), name="stock-count"),
            sdk.ParallelBranch(
                lambda branch: branch.step(read_fridge_sensors(site["fridges"])), name="cold-chain"
            ),
        ],
        name=f"checks-{site['code']}",
    )
    checks.throw_if_error()
    units, fridge = checks.get_results()
    status = ctx.step(lambda _: "ok" if fridge["ok"] else "quarantine", name="site-status")
    return {"site": site["code"], "units": units, "worst_deci_c": fridge["worst_deci_c"], "status": status}


@sdk.durable_execution
def handler(event: dict, context: sdk.DurableContext) -> dict:
    audit = context.map(
        event["sites"],
        audit_warehouse,
        name="audit-sites",
        config=cfg.MapConfig(max_concurrency=2, completion_config=cfg.CompletionConfig.all_successful()),
    )
    audit.throw_if_error()
    sites = audit.get_results()
    quarantined = [site["site"] for site in sites if site["status"] == "quarantine"]
    if quarantined:
        context.step(lambda _: f"quality team paged for {', '.join(quarantined)}", name="page-quality")
    return {"sites": sites, "total_units": sum(site["units"] for site in sites), "quarantined": quarantined}
