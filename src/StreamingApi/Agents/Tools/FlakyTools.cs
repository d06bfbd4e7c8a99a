using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace StreamingApi.Agents.Tools;

public sealed record InventoryStatus(string Region, int InStock, int Backordered, DateOnly NextDelivery);

/// <summary>A tool backed by an unreliable service: it fails when the run asks it to, to show errors mid-stream.</summary>
public sealed class FlakyTools(IOptions<ToolOptions> options, ToolCancellation cancellation, TimeProvider time)
{
    /// <summary>Key in <see cref="Kernel.Data"/>: true makes the tool fail.</summary>
    public const string FailKey = "streamingapi.fail-tools";

    [KernelFunction("check_inventory"), Description("Checks stock levels for a sales region.")]
    public async Task<InventoryStatus> CheckInventoryAsync(
        Kernel kernel,
        [Description("The sales region, e.g. Europe.")] string region,
        CancellationToken cancellationToken)
    {
        await cancellation.SimulateIoAsync(kernel, "check_inventory", options.Value.InventoryDelayMs, time, cancellationToken);
        if (kernel.Data.TryGetValue(FailKey, out var fail) && fail is true)
            throw new InvalidOperationException($"The inventory service answered 503 Service Unavailable for region '{region}'.");
        var seed = (int)(StableHash.Of(region.Trim()) % 1000);
        return new InventoryStatus(region, 1_200 + seed, seed % 90, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(7 + seed % 14));
    }
}
