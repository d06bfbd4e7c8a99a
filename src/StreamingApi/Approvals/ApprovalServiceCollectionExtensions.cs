namespace StreamingApi.Approvals;

public static class ApprovalServiceCollectionExtensions
{
    /// <summary>The loop that denies approvals nobody decided in time (the decisions themselves go through the run host).</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services) =>
        services.AddHostedService<ApprovalTimeouts>();
}
