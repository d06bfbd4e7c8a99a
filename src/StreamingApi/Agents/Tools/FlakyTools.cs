using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace StreamingApi.Agents.Tools;

public sealed record InventoryStatus(string Region, int InStock, int Backordered, DateOnly NextDelivery);

/// <summary>
/// A tool backed by an unreliable inventory service, to show errors mid-stream. The inventory agent is built twice
/// at start-up (see <see cref="AgentCatalog.Flaky"/>): on a service that answers and on one that is down.
/// </summary>
public sealed class FlakyTools(IOptions<ToolOptions> options, TimeProvider time, bool serviceDown)
{
    [KernelFunction("check_inventory"), Description("Checks stock levels for a sales region.")]
    public async Task<InventoryStatus> CheckInventoryAsync(
        [Description("The sales region, e.g. Europe.")] string region,
        CancellationToken cancellationToken)
    {
        await SimulatedLatency.WaitAsync(options.Value.InventoryDelayMs, time, cancellationToken);
        if (serviceDown)
            throw new InvalidOperationException($"The inventory service answered 503 Service Unavailable for region '{region}'.");
        var seed = (int)(StableHash.Of(region.Trim()) % 1000);
        return new InventoryStatus(region, 1_200 + seed, seed % 90, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(7 + seed % 14));
    }
}
