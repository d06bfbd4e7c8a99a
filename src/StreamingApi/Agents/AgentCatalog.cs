using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using StreamingApi.Agents.Output;
using StreamingApi.Agents.Tools;
using StreamingApi.Observability;

namespace StreamingApi.Agents;

/// <summary>The service's agents, built once at start-up on the configured model.</summary>
public sealed class AgentCatalog
{
    private readonly IAgent _inventory;
    private readonly IAgent _inventoryDown;

    public AgentCatalog(IChatClient model, AnalystTools analystTools, IOptions<ToolOptions> toolOptions, IOptions<ToolBudgetOptions> budget,
        IOptions<ApprovalOptions> approvals, StreamingMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        // Semantic Kernel's automatic function invocation, so that its IAutoFunctionInvocationFilters see every call.
        var client = new ChatClientBuilder(model).UseKernelFunctionInvocation(loggerFactory).Build(services);
        var functionInvoker = client.GetService<FunctionInvokingChatClient>()!;
        // Tools asked for in the same turn run side by side, as independent remote calls would.
        functionInvoker.AllowConcurrentInvocation = true;
        // The run's own budget (ToolCallFilter) ends a looping model with an error; the invoker's cap would end it silently.
        functionInvoker.MaximumIterationsPerRequest = Math.Max(functionInvoker.MaximumIterationsPerRequest, budget.Value.MaxModelTurns + 1);
        var modelId = model.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";

        // The writer has no tools, so it talks to the model directly: function invocation would only add a layer per delta.
        Writer = new ChatAgent(new AgentDefinition("writer", WriterInstructions, new Kernel()), model, modelId, budget.Value, metrics);
        Analyst = new ChatAgent(new AgentDefinition("analyst", AnalystInstructions, KernelWith(analystTools, "analytics"))
        {
            Output = new OutputSpec(typeof(AnalysisReport), ReportInstruction, StructuredOutput.Parse<AnalysisReport>),
            RequiresApproval = approvals.Value.Requires,
        }, client, modelId, budget.Value, metrics);
        // The flaky demo's switch is which inventory service the agent's tool talks to, fixed when its kernel is built.
        _inventory = Inventory(serviceDown: false);
        _inventoryDown = Inventory(serviceDown: true);

        ChatAgent Inventory(bool serviceDown) => new(new AgentDefinition("inventory", InventoryInstructions,
            KernelWith(new FlakyTools(toolOptions, time, serviceDown), "inventory"))
        {
            RequiresApproval = approvals.Value.RequireApproval.Count > 0 ? approvals.Value.Requires : null,
        }, client, modelId, budget.Value, metrics);
    }

    /// <summary>Answers in plain markdown text; no tools.</summary>
    public IAgent Writer { get; }

    /// <summary>A data analyst with sales, customer and growth tools, ending with an <see cref="AnalysisReport"/>.</summary>
    public IAgent Analyst { get; }

    /// <summary>An inventory assistant; with <paramref name="fail"/> its one tool's service is down, so the tool fails.</summary>
    public IAgent Flaky(bool fail) => fail ? _inventoryDown : _inventory;

    /// <summary>The agents' names, as their <c>run</c> events give them.</summary>
    public IEnumerable<string> Names => All.Select(agent => agent.Name);

    /// <summary>The agent of that name (case-insensitive), or null; <paramref name="fail"/> picks the inventory agent whose tool fails.</summary>
    public IAgent? Find(string name, bool fail = false)
    {
        var found = All.FirstOrDefault(agent => string.Equals(agent.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return found == _inventory ? Flaky(fail) : found;
    }

    private IEnumerable<IAgent> All => [Writer, Analyst, _inventory];

    private const string WriterInstructions =
        "You are a clear, friendly writer. Answer in markdown with a title, short paragraphs, headings and lists where they help.";

    private const string AnalystInstructions =
        "You are a data analyst. Use the tools to fetch the data the question needs and never invent figures: " +
        "fetch_sales_data for a year's sales (also the year before when growth matters), fetch_customer_data for customers, " +
        "and calculate_growth with the two yearly totals. When asked to send or email the report, call send_report once, after the other tools " +
        "(a person approves it first). Then explain the findings in markdown, and say whether the report was sent.";

    private const string ReportInstruction =
        "Now give the final result as one JSON object with exactly these fields: summary (a string of two or three sentences), " +
        "findings (an array of strings, each a fact with its figure), recommendations (an array of strings), " +
        "dataSources (an array of the names of the tools whose data you used). Reply with the JSON object only.";

    private const string InventoryInstructions =
        "You are an inventory assistant. Use check_inventory to look up stock for the region asked about, then answer in markdown.";

    private static Kernel KernelWith(object tools, string pluginName)
    {
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(tools, pluginName);
        return builder.Build();
    }
}
