using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

public class CompiledTemplateTests
{
    /// <summary>The template of docs/scenario.md, verbatim.</summary>
    private const string ScenarioTemplate = """
        global
            maxconn 4096
            stats socket {{ stats_socket }} mode 600 level admin

        defaults
            mode http
            option httplog
            option dontlognull
            retries 3
            option redispatch
            maxconn 2000
            timeout connect 5s
            timeout client 50s
            timeout server 50s
            option forwardfor
            option http-server-close

        frontend stats
            bind *:8888
            stats enable
            stats uri /

        frontend http-in
            bind *:80
            default_backend application-backend

        backend application-backend
            balance leastconn
            option forwardfor
            cookie JSESSIONID prefix
        {{~ for s in getvs "/apps/stupid_server/*" }}
            server {{ s }} cookie A check
        {{~ end }}

        """;

    private static DesiredState State(params (string Key, string Value)[] keys) =>
        DesiredState.From(keys.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)), 1);

    [Fact]
    public void The_scenario_template_renders_one_server_line_per_registered_instance()
    {
        var state = State(
            ("/apps/stupid_server/stupid-server@3.service", "stupid-server-3 10.10.10.12:9000"),
            ("/apps/stupid_server/stupid-server@1.service", "stupid-server-1 10.10.10.10:9000"),
            ("/apps/stupid_server/stupid-server@2.service", "stupid-server-2 10.10.10.11:9000"),
            ("/apps/stupid_server/stupid-server@2.service/meta", "not a direct child"),
            ("/apps/other/x", "unrelated"));
        var template = CompiledTemplate.Parse(ScenarioTemplate, "haproxy.cfg.tmpl");

        var output = template.Render(state, new Dictionary<string, object?> { ["stats_socket"] = "/run/haproxy/admin.sock" });

        // Scriban's "{{~" trims the spaces before a tag but keeps the line break, so each server line comes
        // with an empty line before it: harmless to HAProxy ("~}}" on the tags would make the output tight).
        Assert.Equal(
            """
            global
                maxconn 4096
                stats socket /run/haproxy/admin.sock mode 600 level admin

            defaults
                mode http
                option httplog
                option dontlognull
                retries 3
                option redispatch
                maxconn 2000
                timeout connect 5s
                timeout client 50s
                timeout server 50s
                option forwardfor
                option http-server-close

            frontend stats
                bind *:8888
                stats enable
                stats uri /

            frontend http-in
                bind *:80
                default_backend application-backend

            backend application-backend
                balance leastconn
                option forwardfor
                cookie JSESSIONID prefix

                server stupid-server-1 10.10.10.10:9000 cookie A check

                server stupid-server-2 10.10.10.11:9000 cookie A check

                server stupid-server-3 10.10.10.12:9000 cookie A check


            """,
            output);
    }

    [Fact]
    public void The_backend_snippet_of_the_brief_renders_exactly()
    {
        const string Source = "backend application-backend\n    balance leastconn\n{{~ for s in getvs \"/apps/stupid_server/*\" }}\n    server {{ s }} cookie A check\n{{~ end }}\n";
        var state = State(
            ("/apps/stupid_server/b", "web-b 10.0.0.2:80"),
            ("/apps/stupid_server/a", "web-a 10.0.0.1:80"),
            ("/apps/stupid_server/c", "web-c 10.0.0.3:80"));

        var output = CompiledTemplate.Parse(Source, "backend.tmpl").Render(state);

        Assert.Equal(
            "backend application-backend\n    balance leastconn\n"
            + "\n    server web-a 10.0.0.1:80 cookie A check\n"
            + "\n    server web-b 10.0.0.2:80 cookie A check\n"
            + "\n    server web-c 10.0.0.3:80 cookie A check\n"
            + "\n",
            output);
    }

    [Fact]
    public void A_parse_error_names_file_line_and_column_on_one_line()
    {
        var error = Assert.Throws<TemplateException>(() => CompiledTemplate.Parse("first line\nsecond {{ if }}\n", "conf/bad.tmpl"));

        Assert.StartsWith("conf/bad.tmpl(2,14): Error while parsing if statement", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_key_names_the_key_file_line_and_column()
    {
        var template = CompiledTemplate.Parse("line one\nport {{ getv \"/apps/missing/port\" }}\n", "app.tmpl");

        var error = Assert.Throws<TemplateException>(() => template.Render(DesiredState.Empty));

        Assert.Equal("app.tmpl(2,9): key not found: /apps/missing/port", error.Message);
    }

    [Fact]
    public void An_unknown_variable_is_an_error()
    {
        var template = CompiledTemplate.Parse("{{ stats_socket }}", "vars.tmpl");

        var error = Assert.Throws<TemplateException>(() => template.Render(DesiredState.Empty));

        Assert.StartsWith("vars.tmpl(1,4): ", error.Message);
        Assert.Contains("stats_socket", error.Message);
    }

    [Fact]
    public void Variables_are_globals_and_confd_functions_win_over_a_variable_of_the_same_name()
    {
        var template = CompiledTemplate.Parse("{{ name }} {{ getv \"/k\" }}", "vars.tmpl");
        var variables = new Dictionary<string, object?> { ["name"] = "edge", ["getv"] = "shadowed" };

        Assert.Equal("edge v", template.Render(State(("/k", "v")), variables));
    }

    [Fact]
    public void Vars_holds_every_variable_and_nothing_for_one_the_configuration_does_not_set()
    {
        var template = CompiledTemplate.Parse("""{{ vars.name }}|{{ if (vars.optional ?? "") != "" }}on{{ else }}off{{ end }}""", "vars.tmpl");

        Assert.Equal("edge|off", template.Render(DesiredState.Empty, new Dictionary<string, object?> { ["name"] = "edge" }));
        Assert.Equal("edge|on", template.Render(DesiredState.Empty, new Dictionary<string, object?> { ["name"] = "edge", ["optional"] = "/etc/haproxy/hosts.map" }));
        Assert.Equal("|off", template.Render(DesiredState.Empty));
    }

    [Fact]
    public void A_value_that_looks_like_template_code_is_rendered_literally()
    {
        var state = State(("/apps/evil", "{{ getv \"/apps/secret\" }} {{ 1 + 1 }}"), ("/apps/secret", "s3cret"));

        var output = CompiledTemplate.Parse("value: {{ getv \"/apps/evil\" }}", "literal.tmpl").Render(state);

        Assert.Equal("value: {{ getv \"/apps/secret\" }} {{ 1 + 1 }}", output);
    }

    [Fact]
    public void Object_eval_is_not_available_to_run_a_value_as_code()
    {
        var state = State(("/apps/evil", "{{ 1 + 1 }}"));
        var template = CompiledTemplate.Parse("{{ object.eval_template (getv \"/apps/evil\") }}{{ object.eval \"1 + 1\" }}", "eval.tmpl");

        Assert.Throws<TemplateException>(() => template.Render(state));
    }

    [Fact]
    public void Scriban_builtins_remain_available()
    {
        Assert.Equal("WEB 3", CompiledTemplate.Parse("{{ \"web\" | string.upcase }} {{ [1, 2, 3] | array.size }}", "builtins.tmpl").Render(DesiredState.Empty));
    }

    [Fact]
    public void A_render_over_5000_keys_is_not_stopped_by_a_loop_limit()
    {
        var state = DesiredState.From(
            Enumerable.Range(0, 5000).Select(i => KeyValuePair.Create($"/apps/pool/{i:D5}", $"server-{i} 10.0.{i / 256}.{i % 256}:80")),
            1);
        var template = CompiledTemplate.Parse("{{ for s in gets \"/apps/pool/*\" }}{{ s.value }}\n{{ end }}", "pool.tmpl");

        var lines = template.Render(state).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(5000, lines.Length);
        Assert.Equal("server-4999 10.0.19.135:80", lines[^1]);
    }

    [Fact]
    public void Rendering_into_a_buffer_gives_the_same_text_as_a_string_render_and_replaces_what_it_held()
    {
        var state = DesiredState.From(
            Enumerable.Range(0, 5000).Select(i => KeyValuePair.Create($"/apps/pool/{i:D5}", $"serveur-é-{i} 10.0.{i / 256}.{i % 256}:80")),
            1);
        var template = CompiledTemplate.Parse("{{ for s in gets \"/apps/pool/*\" }}{{ s.value }}\n{{ end }}", "pool.tmpl");
        var output = ContentBuffer.From("held before");

        template.Render(state, null, output, RenderLimits.None, CancellationToken.None);

        Assert.Equal(template.Render(state), output.ToString());
    }

    [Fact]
    public void A_failing_render_into_a_buffer_names_the_position()
    {
        var template = CompiledTemplate.Parse("line one\nport {{ getv \"/apps/missing/port\" }}\n", "app.tmpl");

        var error = Assert.Throws<TemplateException>(() => template.Render(DesiredState.Empty, null, new ContentBuffer(), RenderLimits.None, CancellationToken.None));

        Assert.Equal("app.tmpl(2,9): key not found: /apps/missing/port", error.Message);
    }

    [Fact]
    public void A_runaway_loop_is_stopped_at_its_timeout_and_leaves_no_thread_spinning()
    {
        var template = CompiledTemplate.Parse("before\n{{ while true }}{{ end }}", "spin.tmpl");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<TemplateException>(() =>
            template.Render(DesiredState.Empty, null, new ContentBuffer(), new RenderLimits(TimeSpan.FromMilliseconds(300), long.MaxValue), CancellationToken.None));

        // the render ran on this thread: it returned, so nothing keeps spinning
        Assert.True(error.LimitExceeded);
        Assert.Equal("spin.tmpl: stopped after 0.3s (render-timeout)", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10)); // the timer may fire a hair early
    }

    [Theory]
    [InlineData("{{ for i in 1..100000000 }}0123456789{{ end }}")] // many small writes
    [InlineData("{{ \"x\" | string.pad_right 200000 }}")] // one big one
    public void Output_past_the_limit_stops_the_render_and_lets_go_of_the_buffer(string source)
    {
        var template = CompiledTemplate.Parse(source, "huge.tmpl");
        var output = new ContentBuffer();

        var error = Assert.Throws<TemplateException>(() =>
            template.Render(DesiredState.Empty, null, output, new RenderLimits(TimeSpan.FromSeconds(30), 100_000), CancellationToken.None));

        Assert.True(error.LimitExceeded);
        Assert.Matches(@"^huge\.tmpl(\(1,\d+\))?: output passed 100000 bytes \(max-output-bytes\)$", error.Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Cancelling_a_render_is_not_a_limit()
    {
        var template = CompiledTemplate.Parse("{{ while true }}{{ end }}", "spin.tmpl");
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.ThrowsAny<OperationCanceledException>(() =>
            template.Render(DesiredState.Empty, null, new ContentBuffer(), new RenderLimits(TimeSpan.FromSeconds(30), long.MaxValue), shutdown.Token));
    }

    [Fact]
    public void One_parsed_template_renders_each_state_independently()
    {
        var template = CompiledTemplate.Parse("{{ x = getv \"/k\" }}{{ x }}", "reuse.tmpl");

        Assert.Equal("1", template.Render(State(("/k", "1"))));
        Assert.Equal("2", template.Render(State(("/k", "2"))));
    }

    [Fact]
    public void A_cancelled_token_aborts_the_render()
    {
        var template = CompiledTemplate.Parse("{{ for i in 1..10 }}{{ i }}{{ end }}", "cancel.tmpl");

        Assert.Throws<OperationCanceledException>(() => template.Render(DesiredState.Empty, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Cancelling_during_a_runaway_render_aborts_it()
    {
        using var cancellation = new CancellationTokenSource();
        var template = CompiledTemplate.Parse("{{ while true }}{{ x = stopper.Tick }}{{ end }}", "runaway.tmpl");
        var variables = new Dictionary<string, object?> { ["stopper"] = new CancelOnRead(cancellation, reads: 1000) };

        var error = Assert.Throws<OperationCanceledException>(() => template.Render(DesiredState.Empty, variables, cancellation.Token));

        Assert.Equal(cancellation.Token, error.CancellationToken);
    }

    /// <summary>Cancels its token after a number of reads: a runaway render that stops itself, with no timing involved.</summary>
    private sealed class CancelOnRead(CancellationTokenSource cancellation, int reads)
    {
        private int remaining = reads;

        public int Tick
        {
            get
            {
                if (--remaining == 0)
                {
                    cancellation.Cancel();
                }

                return remaining;
            }
        }
    }
}
