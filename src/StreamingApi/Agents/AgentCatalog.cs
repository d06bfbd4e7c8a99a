using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using StreamingApi.Agents.Output;
using StreamingApi.Agents.Tools;
using StreamingApi.Observability;

namespace StreamingApi.Agents;

/// <summary>
/// The service's agents on the configured model, each built once: the writer at start-up, the agents with tools (whose
/// kernels describe their functions by reflection, a cost start-up and the first text stream need not pay) by the first
/// run that asks for one.
/// </summary>
public sealed class AgentCatalog
{
    private const string AnalystName = "analyst";
    private const string InventoryName = "inventory";

    private readonly Lazy<IAgent> _analyst;
    private readonly Lazy<IAgent> _inventory;
    private readonly Lazy<IAgent> _inventoryDown;

    public AgentCatalog(IChatClient model, AnalystTools analystTools, IOptions<ToolOptions> toolOptions, IOptions<ToolBudgetOptions> budget,
        IOptions<ApprovalOptions> approvals, StreamingMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        var modelId = model.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";
        var client = new Lazy<IChatClient>(() =>
        {
            // Semantic Kernel's automatic function invocation, so that its IAutoFunctionInvocationFilters see every call.
            var invoking = new ChatClientBuilder(model).UseKernelFunctionInvocation(loggerFactory).Build(services);
            var functionInvoker = invoking.GetService<FunctionInvokingChatClient>()!;
            // Tools asked for in the same turn run side by side, as independent remote calls would.
            functionInvoker.AllowConcurrentInvocation = true;
            // The run's own budget (ToolCallFilter) ends a looping model with an error; the invoker's cap would end it silently.
            functionInvoker.MaximumIterationsPerRequest = Math.Max(functionInvoker.MaximumIterationsPerRequest, budget.Value.MaxModelTurns + 1);
            return invoking;
        });

        // The writer has no tools, so it talks to the model directly: function invocation would only add a layer per delta.
        Writer = new ChatAgent(new AgentDefinition("writer", WriterInstructions, new Kernel()), model, modelId, budget.Value, metrics);
        _analyst = new(() => new ChatAgent(new AgentDefinition(AnalystName, AnalystInstructions, KernelWith(analystTools, "analytics"))
        {
            Output = new OutputSpec(typeof(AnalysisReport), ReportInstruction, StructuredOutput.Parse<AnalysisReport>),
            RequiresApproval = approvals.Value.Requires,
        }, client.Value, modelId, budget.Value, metrics));
        // The flaky demo's switch is which inventory service the agent's tool talks to, fixed when its kernel is built.
        _inventory = new(() => Inventory(serviceDown: false));
        _inventoryDown = new(() => Inventory(serviceDown: true));

        ChatAgent Inventory(bool serviceDown) => new(new AgentDefinition(InventoryName, InventoryInstructions,
            KernelWith(new FlakyTools(toolOptions, time, serviceDown), "inventory"))
        {
            RequiresApproval = approvals.Value.RequireApproval.Count > 0 ? approvals.Value.Requires : null,
        }, client.Value, modelId, budget.Value, metrics);
    }

    /// <summary>Answers in plain markdown text; no tools.</summary>
    public IAgent Writer { get; }

    /// <summary>A data analyst with sales, customer and growth tools, ending with an <see cref="AnalysisReport"/>.</summary>
    public IAgent Analyst => _analyst.Value;

    /// <summary>An inventory assistant; with <paramref name="fail"/> its one tool's service is down, so the tool fails.</summary>
    public IAgent Flaky(bool fail) => fail ? _inventoryDown.Value : _inventory.Value;

    /// <summary>The agents' names, as their <c>run</c> events give them.</summary>
    public IEnumerable<string> Names => [Writer.Name, AnalystName, InventoryName];

    /// <summary>The agent of that name (case-insensitive), or null; <paramref name="fail"/> picks the inventory agent whose tool fails.</summary>
    public IAgent? Find(string name, bool fail = false) => name.Trim().ToLowerInvariant() switch
    {
        var found when found == Writer.Name => Writer,
        AnalystName => Analyst,
        InventoryName => Flaky(fail),
        _ => null,
    };

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
