"""The real-model path: ``taskservice serve`` against an OpenAI-compatible server over TCP.

Every test runs twice, once on the Responses API and once on Chat Completions, against the
scripted provider of ``tests.provider`` (a separate process on loopback).
"""
