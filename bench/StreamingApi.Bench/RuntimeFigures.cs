using System.Net.Http.Json;

namespace StreamingApi.Bench;

/// <summary>
/// A server's runtime figures, read the same way from the service (its Prometheus endpoint, .NET's own
/// <c>System.Runtime</c> instruments) and from the baseline (its <c>/runtime</c> endpoint): methods the JIT has
/// compiled, garbage collections with their pauses, and the work items the thread pool has run (each a thread's
/// turn: a stream's event that hops threads three times costs three).
/// </summary>
public sealed record RuntimeFigures(long JitCompiledMethods, long Collections, long Gen2Collections, double PauseSeconds, long WorkItems)
{
    public static async Task<RuntimeFigures> ReadAsync(HttpClient http, bool isService)
    {
        if (!isService) return (await http.GetFromJsonAsync<RuntimeFigures>("runtime"))!;
        var metrics = await PrometheusScrape.ReadAsync(http);
        return new RuntimeFigures((long)metrics.Sum("dotnet_jit_compiled_methods_total"), (long)metrics.Sum("dotnet_gc_collections_total"),
            (long)metrics.Sum("dotnet_gc_collections_total", "gen2"), metrics.Sum("dotnet_gc_pause_time_seconds_total"),
            (long)metrics.Sum("dotnet_thread_pool_work_item_count_total"));
    }

    /// <summary>What happened between <paramref name="before"/> and these figures, for a report line.</summary>
    public string DescribeSince(RuntimeFigures before) =>
        $"GC: {Collections - before.Collections} collections ({Gen2Collections - before.Gen2Collections} of gen2), " +
        $"{(PauseSeconds - before.PauseSeconds) * 1000:0} ms paused; JIT: {JitCompiledMethods - before.JitCompiledMethods} methods compiled; " +
        $"thread pool: {WorkItems - before.WorkItems:N0} work items";
}
