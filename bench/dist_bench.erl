%% Distribution cost between two nodes, driven by bench/dist-tls.mjs: the same code over plain TCP and
%% over TLS. serve/0 runs on the far node; run/2 on the near one prints one line of figures.
-module(dist_bench).
-export([serve/0, run/2]).

%% The far node: a sink that counts messages and acks the last one, and echoes round trips.
serve() ->
    register(sink, spawn(fun() -> sink(0, 0, none) end)).

sink(Count, Want, From) ->
    receive
        {start, Pid, N} -> sink(0, N, Pid);
        {msg, _Bin} when Count + 1 =:= Want -> From ! done, sink(0, 0, none);
        {msg, _Bin} -> sink(Count + 1, Want, From);
        {ping, Pid, Bin} -> Pid ! {pong, Bin}, sink(Count, Want, From)
    end.

%% Connection setup: after one warm-up, Connects fresh connections, each timed from net_adm:ping until it returns pong.
%% Then one-way bulk with an ack at the end, and round trips of small messages.
run(Far, Connects) ->
    %% The first connection also loads code (ssl, crypto): not what a running cluster pays per connection.
    _Warm = connect_once(Far),
    Setup = [connect_once(Far) || _ <- lists:seq(1, Connects)],
    pong = net_adm:ping(Far),
    Big = one_way(Far, 2000, 65536),
    Small = one_way(Far, 20000, 100),
    Rtt = round_trips(Far, 5000, 100),
    io:format("setup_us=~w big_us=~w small_us=~w rtt_us=~w~n", [Setup, Big, Small, Rtt]),
    halt().

connect_once(Far) ->
    T0 = erlang:monotonic_time(microsecond),
    pong = net_adm:ping(Far),
    T1 = erlang:monotonic_time(microsecond),
    true = erlang:disconnect_node(Far),
    %% Let both sides finish tearing the connection down before the next one.
    timer:sleep(150),
    T1 - T0.

one_way(Far, N, Size) ->
    Bin = crypto:strong_rand_bytes(Size),
    {sink, Far} ! {start, self(), N},
    T0 = erlang:monotonic_time(microsecond),
    [{sink, Far} ! {msg, Bin} || _ <- lists:seq(1, N)],
    receive done -> ok after 120000 -> exit(no_ack) end,
    erlang:monotonic_time(microsecond) - T0.

round_trips(Far, N, Size) ->
    Bin = crypto:strong_rand_bytes(Size),
    T0 = erlang:monotonic_time(microsecond),
    lists:foreach(fun(_) -> {sink, Far} ! {ping, self(), Bin}, receive {pong, _} -> ok end end, lists:seq(1, N)),
    erlang:monotonic_time(microsecond) - T0.
