using System.Collections.Concurrent;

namespace StreamingApi.Agents.Tools;

/// <summary>One report that <c>send_report</c> sent.</summary>
public sealed record SentReport(string MessageId, string To, string Subject, DateTimeOffset SentAt);

/// <summary>
/// Where <c>send_report</c> "sends" reports: a record in this process, the stand-in for a mail service. It is what
/// the tool's side effect is, so tests (and a person at the console) can see whether a report really went out, and
/// how many times.
/// </summary>
public sealed class SentReports(TimeProvider time)
{
    private readonly ConcurrentQueue<SentReport> _sent = new();

    /// <summary>Every report sent so far, oldest first.</summary>
    public IReadOnlyList<SentReport> All => [.. _sent];

    public SentReport Send(string to, string subject)
    {
        var report = new SentReport($"msg-{Guid.NewGuid():N}"[..16], to, subject, time.GetUtcNow());
        _sent.Enqueue(report);
        return report;
    }
}
