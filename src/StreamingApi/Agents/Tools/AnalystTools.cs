using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace StreamingApi.Agents.Tools;

public sealed record QuarterRevenue(string Quarter, decimal Revenue);

public sealed record SalesData(int Year, string Currency, decimal Total, IReadOnlyList<QuarterRevenue> Quarters, string TopRegion);

public sealed record CustomerSegment(string Name, int Customers, decimal ShareOfRevenue);

public sealed record CustomerData(int TotalCustomers, int NewCustomers, decimal ChurnRatePercent, IReadOnlyList<CustomerSegment> Segments);

public sealed record GrowthResult(decimal Previous, decimal Current, decimal AbsoluteChange, decimal PercentChange);

public sealed record ReportSent(bool Sent, string MessageId);

/// <summary>
/// The data analyst's tools. The figures come from a fixed, deterministic data set (a stand-in for a warehouse),
/// and each call waits like the remote call it stands for.
/// </summary>
public sealed class AnalystTools(IOptions<ToolOptions> options, TimeProvider time, SentReports reports)
{
    /// <summary>The tool with a side effect: it always waits for approval (<see cref="ApprovalOptions.AlwaysRequired"/>).</summary>
    public const string SendReport = "send_report";

    private static readonly string[] Regions = ["North America", "Europe", "Asia Pacific", "Latin America"];

    [KernelFunction("fetch_sales_data"), Description("Fetches the company's sales figures for one year: total and per quarter.")]
    public async Task<SalesData> FetchSalesDataAsync(
        [Description("The four-digit year, e.g. 2024.")] int year,
        CancellationToken cancellationToken)
    {
        await SimulatedLatency.WaitAsync(options.Value.SalesDelayMs, time, cancellationToken);
        return SalesFor(year);
    }

    [KernelFunction("fetch_customer_data"), Description("Fetches the current customer base: counts, churn and segments.")]
    public async Task<CustomerData> FetchCustomerDataAsync(CancellationToken cancellationToken)
    {
        await SimulatedLatency.WaitAsync(options.Value.CustomerDelayMs, time, cancellationToken);
        return new CustomerData(12_480, 2_315, 4.2m,
        [
            new CustomerSegment("Enterprise", 640, 0.52m),
            new CustomerSegment("Mid-market", 3_120, 0.31m),
            new CustomerSegment("Small business", 8_720, 0.17m),
        ]);
    }

    [KernelFunction("calculate_growth"), Description("Calculates the growth from a previous value to a current value.")]
    public async Task<GrowthResult> CalculateGrowthAsync(
        [Description("The earlier value.")] decimal previous,
        [Description("The later value.")] decimal current,
        CancellationToken cancellationToken)
    {
        await SimulatedLatency.WaitAsync(options.Value.GrowthDelayMs, time, cancellationToken);
        var change = current - previous;
        var percent = previous == 0 ? 0 : Math.Round(change / previous * 100, 2);
        return new GrowthResult(previous, current, change, percent);
    }

    [KernelFunction(SendReport), Description("Sends the report by email. It acts at once and cannot be undone, so a person approves each call.")]
    public ReportSent SendReportTo(
        [Description("The recipient's email address.")] string to,
        [Description("The email's subject line.")] string subject) =>
        new(true, reports.Send(to, subject).MessageId);

    /// <summary>Revenue grows about 9% a year from 2015 with a seasonal shape; the same year always gives the same figures.</summary>
    public static SalesData SalesFor(int year)
    {
        var yearFactor = (decimal)Math.Pow(1.09, year - 2015);
        decimal[] seasonality = [0.22m, 0.24m, 0.25m, 0.29m];
        var quarters = seasonality
            .Select((share, i) => new QuarterRevenue($"Q{i + 1}", Math.Round(4_800_000m * yearFactor * share * (1 + (year % (i + 3)) / 100m), 0)))
            .ToList();
        return new SalesData(year, "USD", quarters.Sum(q => q.Revenue), quarters, Regions[Math.Abs(year) % Regions.Length]);
    }
}
