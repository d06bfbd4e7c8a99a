using Microsoft.Diagnostics.Tracing;

namespace StreamingApi.Bench;

/// <summary>
/// <c>allocations &lt;trace.nettrace&gt; &lt;streams&gt; [types]</c>: the bytes a trace's allocation samples (the runtime's
/// <c>GCAllocationTick</c>, one every ~100 KB a heap allocates) put on each type, per stream, largest first. The trace is
/// <c>dotnet-trace collect -p &lt;pid&gt; --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration …</c> taken while
/// <c>hold</c> ran that many streams; sampled, so a type's figure is good to about 100 KB over the streams.
/// </summary>
public static class AllocationReport
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || !double.TryParse(args[1], out var streams))
        {
            Console.Error.WriteLine("usage: allocations <trace.nettrace> <streams> [types to list, default 40]");
            return 2;
        }
        var bytes = new Dictionary<string, long>();
        long total = 0;
        using (var source = new EventPipeEventSource(args[0]))
        {
            source.Clr.GCAllocationTick += tick =>
            {
                total += tick.AllocationAmount64;
                bytes[tick.TypeName] = bytes.GetValueOrDefault(tick.TypeName) + tick.AllocationAmount64;
            };
            source.Process();
        }
        Console.WriteLine($"{total / streams:N0} B allocated per stream (sampled)");
        var listed = args.Length > 2 ? int.Parse(args[2]) : 40;
        foreach (var (type, amount) in bytes.OrderByDescending(p => p.Value).Take(listed))
            Console.WriteLine($"{amount / streams,10:N0} B  {type}");
        return 0;
    }
}
